/**
 * The small family of errors services throw. Services never build HTTP responses; src/web/errors.ts
 * maps these to a status, a JSON body, an htmx flash or a full page.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** The form field the problem belongs to, so a view can show it next to that field. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Invalid extends AppError {
  constructor(message: string, code = "invalid", field?: string) {
    super(message, code, 422, field);
  }
}

export class NotFound extends AppError {
  constructor(message = "Not found.", code = "not_found") {
    super(message, code, 404);
  }
}

export class Conflict extends AppError {
  constructor(message: string, code = "conflict") {
    super(message, code, 409);
  }
}

export class Forbidden extends AppError {
  constructor(message = "You are not allowed to do that.", code = "forbidden") {
    super(message, code, 403);
  }
}

export class Unauthorized extends AppError {
  constructor(message = "Please log in.", code = "unauthorized") {
    super(message, code, 401);
  }
}

export class TooManyRequests extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code = "too_many_requests",
  ) {
    super(message, code, 429);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(message: string, code = "payload_too_large") {
    super(message, code, 413);
  }
}

/** The request itself is malformed (not JSON, not a CSV): nothing a field can be blamed for. */
export class BadRequest extends AppError {
  constructor(message: string, code = "bad_request") {
    super(message, code, 400);
  }
}

/**
 * Something outside Sesame is down for a moment. Only for callers that retry on it by design (SNS
 * redelivers on 5xx): it is the one deliberate 5xx.
 */
export class Unavailable extends AppError {
  constructor(message: string, code = "unavailable") {
    super(message, code, 503);
  }
}

/** The server's own storage is full or unwritable (507): nothing the request did, and nothing it can fix but retrying later. */
export class StorageFull extends AppError {
  constructor(message: string, code = "storage_full") {
    super(message, code, 507);
  }
}
