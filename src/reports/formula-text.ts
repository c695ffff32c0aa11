/**
 * The definitions printed with a report (the service level formula, the staffing model) in the
 * reader's language. The figures are computed from the English text's terms (kpi.ts,
 * report-routes.ts); this turns the printed text into Chinese term by term, so that the two can
 * never say different things: a term it does not know stays as it was, which the tests catch
 * (no Latin word may be left in a Chinese formula but the symbols A, N, C, e, AHT and SL).
 */
export type FormulaLang = 'zh-CN' | 'en-US';

const NUM = String.raw`(\d+(?:\.\d+)?)`;

/** Longest terms first: "answered within 20 s" before "answered". */
const ZH: readonly [RegExp, string][] = [
  [/^SL = /, '服务水平 SL = '],
  [new RegExp(String.raw`\banswered within ${NUM} s\b`, 'g'), '$1 秒内接通数'],
  [new RegExp(String.raw`\babandoned within ${NUM} s\b`, 'g'), '$1 秒内放弃数'],
  [new RegExp(String.raw`\babandoned after ${NUM} s\b`, 'g'), '超过 $1 秒的放弃数'],
  [/\banswered\b/g, '接通数'],
  [/\babandoned\b/g, '放弃数'],
  // The staffing model (report-routes.ts, staffingOf).
  [/^Erlang C: /, 'Erlang C 模型：'],
  [/\boffered × AHT\b/g, '呼入量 × AHT'],
  [new RegExp(String.raw`/ ${NUM} s; `, 'g'), '/ $1 秒；'],
  [/\bagents = the fewest N > A with /g, '所需座席数 = 满足下式的最小 N（N > A）：'],
  [/ and A\/N ≤ /g, '，且 A/N ≤ '],
  [/; scheduled = /g, '；排班人数 = '],
  [/ \(Poisson arrivals, no abandons\)$/, '（泊松到达，不计放弃）'],
];

/** `text` as printed for `lang`. */
export function formulaText(text: string, lang: FormulaLang): string {
  if (lang !== 'zh-CN') return text;
  let out = text;
  for (const [re, to] of ZH) out = out.replace(re, to);
  return out;
}
