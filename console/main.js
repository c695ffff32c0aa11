// @ts-check
/** Entry point of the console (loaded by index.html). */
import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
