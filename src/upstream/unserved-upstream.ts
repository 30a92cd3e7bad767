/**
 * The upstream sink used until the upstream controller exists (issue 6): every edge request is answered
 * with an error reply, once, so an edge is never left waiting, and counted.
 * @module
 */
import { newErrorResponse } from '../protocol/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import type { UpstreamRequest, UpstreamSink } from '../hub/index.js';

/** Where replies go and how they are stamped. */
export interface UnservedUpstreamOptions {
  readonly reply: (node: NodeName, message: Message) => void;
  readonly newId: () => MessageId;
  readonly now: () => number;
  readonly onUnserved?: (request: UpstreamRequest) => void;
}

/** Answers every request with `error` "not served yet". */
export class UnservedUpstream implements UpstreamSink {
  readonly #options: UnservedUpstreamOptions;

  constructor(options: UnservedUpstreamOptions) {
    this.#options = options;
  }

  handle(node: NodeName, message: Message, request: UpstreamRequest): void {
    this.#options.onUnserved?.(request);
    const text = `${request.operation} ${request.resourceType} is not served by this edge-controller version`;
    this.#options.reply(
      node,
      newErrorResponse(message, text, { id: this.#options.newId(), now: this.#options.now() }),
    );
  }
}
