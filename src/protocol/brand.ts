/**
 * Branded identity types for the wire model (STYLE.md B4, rule 18). A brand is a compile-time tag on a
 * primitive: a `MessageId` and a `NodeName` are both strings at runtime, but one cannot be passed where
 * the other is expected. Each brand is built and parsed in exactly one module of protocol/.
 * @module
 */

declare const brandKey: unique symbol;

/**
 * `Base` tagged with `Name`. Values are created only by the parsing or building functions of the module
 * that owns the brand; a plain cast elsewhere defeats the point.
 */
export type Brand<Base, Name extends string> = Base & { readonly [brandKey]: Name };
