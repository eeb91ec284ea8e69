import { STORAGE_PROBLEM_TEXT, storageProblem } from "../db/health";
import { AppError, TooManyRequests } from "../lib/errors";

export interface ErrorBody {
  error: string;
  code: string;
  field?: string;
}

/**
 * Maps anything thrown while handling a request to a status and an `{error, code}` body. A database
 * that cannot store anything is a 503 with what to do; unknown errors become a generic 500 whose text
 * says nothing about the cause (the log keeps the detail).
 */
export function describeError(code: string | number, thrown: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  // Elysia wraps whatever a body parser throws (our size limit, our JSON check) in its ParseError.
  const cause = (thrown as { cause?: unknown } | null)?.cause;
  const error = code === "PARSE" && cause instanceof AppError ? cause : thrown;
  if (error instanceof AppError) {
    const headers = error instanceof TooManyRequests ? { "retry-after": String(error.retryAfterSeconds) } : undefined;
    return { status: error.status, body: { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) }, headers };
  }
  // The database refusing writes (a full disk, a read-only file or server) is not a bug: say so, and that it is passing.
  const storage = storageProblem(error);
  if (storage) return { status: 503, body: { error: STORAGE_PROBLEM_TEXT[storage], code: `database_${storage}` }, headers: { "retry-after": "30" } };
  switch (code) {
    case "VALIDATION":
      return { status: 400, body: validationBody(error) };
    case "PARSE":
      return { status: 400, body: { error: "The request body could not be parsed.", code: "malformed_body" } };
    case "NOT_FOUND":
      return { status: 404, body: { error: "There is nothing at this address.", code: "not_found" } };
    case "INVALID_COOKIE_SIGNATURE":
      return { status: 401, body: { error: "Your session cookie is not valid; please log in again.", code: "unauthorized" } };
    default:
      return { status: 500, body: { error: "Something went wrong on our side; it has been logged.", code: "internal_error" } };
  }
}

function validationBody(error: unknown): ErrorBody {
  const detail = (error as { valueError?: { path?: string; message?: string } }).valueError;
  const field = detail?.path?.replace(/^\//, "").replace(/\//g, ".") || undefined;
  const reason = detail?.message ?? "is not valid";
  return {
    error: field ? `The field "${field}" is missing or not valid: ${reason.replace(/^Expected/, "expected")}.` : `The request is not valid: ${reason}.`,
    code: "invalid_request",
    ...(field ? { field } : {}),
  };
}
