export function Flash({ kind, message }: { kind: "error" | "success" | "info"; message: string }) {
  const tone = {
    error: "border-red-300 bg-red-50 text-red-800",
    success: "border-emerald-300 bg-emerald-50 text-emerald-800",
    info: "border-sky-300 bg-sky-50 text-sky-800",
  }[kind];
  return (
    <div role={kind === "error" ? "alert" : "status"} class={`rounded border px-4 py-3 text-sm ${tone}`} safe>
      {message}
    </div>
  );
}

/** An out-of-band swap that puts a message into the form's #<field>-error slot, if it has one. */
export function FieldErrorOob({ field, message }: { field: string; message: string }) {
  return (
    <p id={`${field}-error`} hx-swap-oob="true" class="mt-1 text-xs text-red-700" role="alert" safe>
      {message}
    </p>
  );
}
