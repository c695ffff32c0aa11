/**
 * Column headers of the exported sheets in the console's two languages (docs/reports.md,
 * "Exports"). The field ids are the JSON and CSV names; a sheet shows the label of `lang`.
 */
export const EXPORT_LANGS = ['en-US', 'zh-CN'] as const;
export type ExportLang = (typeof EXPORT_LANGS)[number];

const LABELS: Record<string, Record<ExportLang, string>> = {
  key: { 'en-US': 'Group', 'zh-CN': '分组' },
  queue: { 'en-US': 'Queue', 'zh-CN': '队列' },
  agent: { 'en-US': 'Agent', 'zh-CN': '座席' },
  interval: { 'en-US': 'Interval', 'zh-CN': '时段' },
  start: { 'en-US': 'Start', 'zh-CN': '开始时间' },
  end: { 'en-US': 'End', 'zh-CN': '结束时间' },
  offered: { 'en-US': 'Offered', 'zh-CN': '呼入量' },
  answered: { 'en-US': 'Answered', 'zh-CN': '接通量' },
  answeredWithinT: { 'en-US': 'Answered within T', 'zh-CN': 'T 内接通' },
  abandoned: { 'en-US': 'Abandoned', 'zh-CN': '放弃量' },
  shortAbandoned: { 'en-US': 'Short abandons', 'zh-CN': '短时放弃' },
  other: { 'en-US': 'Other', 'zh-CN': '其他' },
  serviceLevel: { 'en-US': 'Service level', 'zh-CN': '服务水平' },
  asaS: { 'en-US': 'ASA (s)', 'zh-CN': '平均应答时间(秒)' },
  ahtS: { 'en-US': 'AHT (s)', 'zh-CN': '平均处理时长(秒)' },
  talkS: { 'en-US': 'Talk (s)', 'zh-CN': '通话时长(秒)' },
  holdS: { 'en-US': 'Hold (s)', 'zh-CN': '保持时长(秒)' },
  wrapS: { 'en-US': 'Wrap-up (s)', 'zh-CN': '话后处理(秒)' },
  abandonRate: { 'en-US': 'Abandon rate', 'zh-CN': '放弃率' },
  abandonRateExclShort: { 'en-US': 'Abandon rate excl. short', 'zh-CN': '放弃率(不含短时放弃)' },
  erlangs: { 'en-US': 'Traffic (erlangs)', 'zh-CN': '话务量(爱尔兰)' },
  agentsNeeded: { 'en-US': 'Agents needed', 'zh-CN': '所需座席' },
  scheduled: { 'en-US': 'Scheduled', 'zh-CN': '排班人数' },
  predictedServiceLevel: { 'en-US': 'Predicted service level', 'zh-CN': '预测服务水平' },
  id: { 'en-US': 'Call id', 'zh-CN': '呼叫编号' },
  offeredAt: { 'en-US': 'Offered at', 'zh-CN': '呼入时间' },
  answeredAt: { 'en-US': 'Answered at', 'zh-CN': '应答时间' },
  endedAt: { 'en-US': 'Ended at', 'zh-CN': '结束时间' },
  from: { 'en-US': 'From', 'zh-CN': '主叫号码' },
  to: { 'en-US': 'To', 'zh-CN': '被叫号码' },
  waitS: { 'en-US': 'Wait (s)', 'zh-CN': '等待时长(秒)' },
  class: { 'en-US': 'Result', 'zh-CN': '结果' },
  outcome: { 'en-US': 'Outcome', 'zh-CN': '结束原因' },
  formula: { 'en-US': 'Formula', 'zh-CN': '公式' },
  definitions: { 'en-US': 'Definitions', 'zh-CN': '定义' },
  model: { 'en-US': 'Staffing model', 'zh-CN': '排班模型' },
  timeZone: { 'en-US': 'Times are local to', 'zh-CN': '时间所在时区' },
};

/** The header of field `id` in `lang` (the id itself when the table has none). */
export function labelOf(id: string, lang: ExportLang): string {
  return LABELS[id]?.[lang] ?? id;
}
