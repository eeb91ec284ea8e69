export const LIST_NAME_MAX = 100;
export const PAGE_SIZE = 50;
/** Rows per database read of an export (on its worker thread) and per chunk streamed. */
export const EXPORT_PAGE = 1000;

export interface ListSummary {
  id: string;
  name: string;
  contacts: number;
}

export type ContactSort = "email" | "-email" | "created" | "-created";
export const CONTACT_SORTS: ContactSort[] = ["email", "-email", "created", "-created"];

/**
 * A list opens in the order contacts were added; a search of a big list, in address order (the order
 * its index walks).
 */
export function defaultSort(q: string, mode: "everywhere" | "address-start"): ContactSort {
  return q && mode === "address-start" ? "email" : "created";
}
