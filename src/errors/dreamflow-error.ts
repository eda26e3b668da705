/**
 * Base class for every error a user can cause. `code` is stable (tools and tests match on it) and one of the
 * catalogue in src/errors/codes.ts; the message is for humans. How an error is printed lives in
 * src/errors/format.ts, not here.
 */
import type { ErrorCode } from './codes.ts';

export interface SourceLocation {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  /** false: the file is not the recipe's own (e.g. `extends: ~/secrets.yaml`): name it, never print its lines. */
  quote?: false;
}

export interface DreamflowErrorOptions {
  location?: SourceLocation;
  path?: string;
  expected?: string;
  hints?: string[];
  cause?: unknown;
}

export class DreamflowError extends Error {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  /** JSON path inside the document, e.g. "/nodes/dreamed/stpes". */
  readonly path?: string;
  /** What was expected, in words ("a number ≥ 1"). */
  readonly expected?: string;
  /** Short extra lines ("did you mean …", "known types: …"). */
  readonly hints: string[];

  constructor(code: ErrorCode, message: string, opts: DreamflowErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.location = opts.location;
    this.path = opts.path;
    this.expected = opts.expected;
    this.hints = opts.hints ?? [];
  }
}

/** Several errors found at once (validation reports all problems, not the first). */
export class DreamflowErrorList extends DreamflowError {
  readonly errors: DreamflowError[];
  constructor(errors: DreamflowError[]) {
    super(errors[0]?.code ?? 'E_INVALID', errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}

export function isDreamflowError(e: unknown): e is DreamflowError {
  return e instanceof DreamflowError;
}
