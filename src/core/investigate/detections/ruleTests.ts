/**
 * A rule file's own cases (`tests`): CloudTrail records the rule must flag and near misses it
 * must not. Read here, apart from the rule's other keys, because they are test data: parseRule
 * validates them (a case that names an event it does not hold is a mistake in the file) and
 * leaves them out of the rule it returns, so the events never travel to the store worker with
 * the rules. The unit test of the built-in library reads them back with `ruleTestsOf`.
 */

/** One case: the events of a small investigation and the eventIDs the rule must flag in it. */
export interface RuleTest {
  name: string;
  events: Array<Record<string, unknown>>;
  /** Exactly the eventIDs the rule flags; empty for a near miss. */
  fires: string[];
}

/** A case is a handful of records; a threshold case a few dozen. */
const MAX_EVENTS = 200;

/**
 * Validates a `tests` value, adding a sentence per problem to `problems`. Returns the cases
 * (only when the value is wholly valid).
 */
export function parseRuleTests(v: unknown, problems: string[]): RuleTest[] | undefined {
  const shape =
    '"tests" is a list of {"name": text, "events": [CloudTrail records, each with an eventID], "fires": [eventIDs the rule flags]}';
  if (!Array.isArray(v)) {
    problems.push(`${shape}.`);
    return undefined;
  }
  const out: RuleTest[] = [];
  const before = problems.length;
  v.forEach((c: unknown, i) => {
    const at = `"tests"[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return void problems.push(`${at}: ${shape}.`);
    const o = c as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'name' && k !== 'events' && k !== 'fires');
    if (extra.length) problems.push(`${at}: unknown key "${extra[0].slice(0, 60)}" (known: name, events, fires).`);
    if (typeof o.name !== 'string' || !o.name.trim()) problems.push(`${at}: "name" says what the case shows.`);
    const events = o.events;
    if (
      !Array.isArray(events) ||
      events.length === 0 ||
      events.length > MAX_EVENTS ||
      !events.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))
    ) {
      return void problems.push(`${at}: "events" is a list of 1 to ${MAX_EVENTS} CloudTrail records.`);
    }
    const ids = events.map((e) => (e as Record<string, unknown>).eventID);
    if (!ids.every((id) => typeof id === 'string' && id !== ''))
      return void problems.push(`${at}: every event needs an "eventID" ("fires" names events by it).`);
    if (new Set(ids).size !== ids.length) problems.push(`${at}: two events share an eventID.`);
    const fires = o.fires;
    if (!Array.isArray(fires) || !fires.every((f) => typeof f === 'string'))
      return void problems.push(`${at}: "fires" is a list of eventIDs ([] for a near miss).`);
    for (const f of fires)
      if (!ids.includes(f))
        problems.push(`${at}: "fires" names ${JSON.stringify(f.slice(0, 60))}, which is not one of its events.`);
    out.push({ name: o.name as string, events: events as Array<Record<string, unknown>>, fires: fires });
  });
  return problems.length === before ? out : undefined;
}

/** The cases of a rule file's text (none when it has no valid `tests`). */
export function ruleTestsOf(text: string): RuleTest[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const tests = (data as Record<string, unknown> | null)?.tests;
  return tests === undefined ? [] : (parseRuleTests(tests, []) ?? []);
}
