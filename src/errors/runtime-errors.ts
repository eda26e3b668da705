import { DreamflowError, type SourceLocation } from './dreamflow-error.ts';

/** A run stopped by its AbortSignal. Everything the run created has been disposed when this is thrown. */
export class CancelledError extends DreamflowError {
  constructor(message = 'run cancelled') {
    super('E_CANCELLED', message);
  }
}

/**
 * An error raised while one node instance ran: `node` is the instance id ("dreamed@2"). Wraps errors that are not
 * DreamflowErrors as E_NODE_FAILED; a DreamflowError thrown by the node keeps its own code.
 */
export class NodeError extends DreamflowError {
  readonly node: string;
  constructor(
    code: string,
    message: string,
    node: string,
    opts: { location?: SourceLocation; path?: string; expected?: string; hints?: string[]; cause?: unknown } = {},
  ) {
    super(code, message, opts);
    this.node = node;
  }
}
