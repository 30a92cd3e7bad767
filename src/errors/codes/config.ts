/** Configuration: flags, config files, options objects. */
export const configErrorCodes = {
  EC_CONFIG_INVALID: 'A configuration value or option is invalid; the message names the field and the fix.',
} as const;
