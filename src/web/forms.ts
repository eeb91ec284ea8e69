import { t } from "elysia";

/** A tick box as htmx forms send it ("true" or "on", nothing when unticked) or as JSON sends it (a boolean). */
export const checkbox = t.Optional(t.Union([t.Boolean(), t.String()]));

/** Whether a `checkbox` value means ticked. */
export const ticked = (value: boolean | string | undefined) => value === true || value === "true" || value === "on";
