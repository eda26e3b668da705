import { DreamflowError, type DreamflowErrorOptions } from './dreamflow-error.ts';
import type { ErrorCode } from './codes.ts';

/**
 * A run (or a download) stopped by its AbortSignal. Everything the run created has been disposed when this is
 * thrown.
 */
export class CancelledError extends DreamflowError {
  constructor(message = 'run cancelled', opts: Pick<DreamflowErrorOptions, 'cause'> = {}) {
    super('E_CANCELLED', message, opts);
  }
}

/** The command line is wrong (a flag's value, a combination of flags): exit 2, before anything runs. */
export class UsageError extends DreamflowError {
  constructor(message: string, opts: Pick<DreamflowErrorOptions, 'expected' | 'hints'> = {}) {
    super('E_USAGE', message, opts);
  }
}

/**
 * An error raised while one node instance ran: `node` is the instance id ("dreamed@2"). Wraps errors that are not
 * DreamflowErrors as E_NODE_FAILED; a DreamflowError thrown by the node keeps its own code.
 */
export class NodeError extends DreamflowError {
  readonly node: string;
  constructor(
    code: ErrorCode,
    message: string,
    node: string,
    opts: DreamflowErrorOptions = {},
  ) {
    super(code, message, opts);
    this.node = node;
  }
}
