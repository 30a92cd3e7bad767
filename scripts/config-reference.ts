/**
 * Prints the configuration reference table (src/config/reference.ts) for docs/configuration.md.
 * @module
 */
import { renderReference } from '../src/config/reference.js';

process.stdout.write(renderReference() + '\n');
