// @ts-check
/** The routing page (docs/console.md). */
import { placeholder } from './placeholder.js';

export const Routing = placeholder('page.routing.title', 'page.routing.placeholder');
