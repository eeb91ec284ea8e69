export const LIST_NAME_MAX = 100;
export const PAGE_SIZE = 50;
/** Rows per database read of an export: small enough that other requests never wait long between two. */
export const EXPORT_PAGE = 500;

export interface ListSummary {
  id: string;
  name: string;
  contacts: number;
}

export type ContactSort = "email" | "-email" | "created" | "-created";
export const CONTACT_SORTS: ContactSort[] = ["email", "-email", "created", "-created"];
