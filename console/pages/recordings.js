// @ts-check
/** The recordings page (docs/console.md). */
import { placeholder } from './placeholder.js';

export const Recordings = placeholder('page.recordings.title', 'page.recordings.placeholder');
