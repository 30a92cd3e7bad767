/** Informers (kube/informer/): list-watch caches of API objects. */
export const informerErrorCodes = {
  EC_INFORMER_MALFORMED_LIST:
    'A list response was not an object list with a resourceVersion; the informer retries with backoff.',
  EC_INFORMER_STOPPED:
    'The informer was stopped before its first list completed; whenSynced() rejects with this.',
} as const;
