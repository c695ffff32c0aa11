// @ts-check
/** The ivr page (docs/console.md). */
import { placeholder } from './placeholder.js';

export const Ivr = placeholder('page.ivr.title', 'page.ivr.placeholder');
