// A rule of the policy language (docs/policy-format.md) in words: fact names
// become their Chinese labels, operators become words, enum values their
// labels. For reading only; the rule itself is what the engine runs.
import type { FactLabel } from '@/api/console'

const ops: [RegExp, string][] = [
  [/&&/g, ' 并且 '], [/\|\|/g, ' 或者 '], [/>=/g, ' 不低于 '], [/<=/g, ' 不高于 '], [/==/g, ' 为 '],
  [/!=/g, ' 不为 '], [/(?<![<>=!])>(?!=)/g, ' 高于 '], [/(?<![<>=!])<(?!=)/g, ' 低于 '], [/!(?!=)/g, '不是 '],
]

export function ruleInWords(rule: string, facts: FactLabel[]): string {
  if (!rule) return '所有人'
  const byName = new Map(facts.map((f) => [f.name, f]))
  let text = rule.replace(/"([^"]*)"/g, (_, v: string) => {
    for (const f of facts) if (f.values[v]) return `「${f.values[v]}」`
    return `「${v}」`
  })
  text = text.replace(/\b[a-z_][a-z0-9_]*\b/g, (w) => (w === 'true' ? '是' : w === 'false' ? '否' : byName.get(w)?.label ?? w))
  for (const [re, word] of ops) text = text.replace(re, word)
  return text.replace(/\s+/g, ' ').trim()
}
