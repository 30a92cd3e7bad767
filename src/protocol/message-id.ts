/**
 * The message id (`header.msg_id`): the one module that brands, parses and makes one. Every sender (hub,
 * downstream, sync, upstream replies, the simulator) takes its ids from {@link newMessageId}, so the wire
 * format is decided here once: a UUIDv4, as beehive's `model.NewMessage` makes with `uuid.New()`
 * (`kubeedge/kubeedge` v1.23.1 `staging/src/github.com/kubeedge/beehive/pkg/core/model/message.go`).
 *
 * `newMessageId` draws randomness (no I/O, no clock); the message constructors stay pure and take the id
 * as a parameter, so tests pass fixed ids.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Brand } from './brand.js';

/** A message id (`header.msg_id`): a UUIDv4 when we make it, any non-empty string when an edge does. */
export type MessageId = Brand<string, 'MessageId'>;

/**
 * Brands a non-empty string as a {@link MessageId}, or returns `undefined`. Use it on ids read from the
 * network; to make a fresh id, call {@link newMessageId}.
 */
export function parseMessageId(value: unknown): MessageId | undefined {
  return typeof value === 'string' && value !== '' ? (value as MessageId) : undefined;
}

/** A fresh, unique message id: a lowercase UUIDv4 (`crypto.randomUUID`). */
export function newMessageId(): MessageId {
  // randomUUID never returns '', so the brand is applied without the parse check.
  return randomUUID() as MessageId;
}
