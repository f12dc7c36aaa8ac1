/**
 * The guard of notes-ru.ts: every timeline note the real flow writes (the golden transcripts
 * replayed through the whole CRM flow under several settings, test/http/notes-corpus.ts) and every
 * piece of the "why" explain.ts builds from them must come out in Russian, with its values kept.
 * A note format added to the flow without a rule fails here, naming the note and where it came from.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainCall } from '../../src/adapters/http/explain.js';
import { NOTE_RULES, noteTextFor, translateNoteRu, type NoteRule } from '../../src/adapters/http/ui/texts/notes-ru.js';
import { collectNotes, type CollectedNote } from './notes-corpus.js';

const TABLE = 'NOTE_RULES in src/adapters/http/ui/texts/notes-ru.ts';
const TERMS = 'src/adapters/http/ui/texts/notes-ru-terms.ts';

/** Rules the corpus cannot reach, and why (each must still have its unit test in notes-ru.test.ts). */
const UNREACHED: Readonly<Record<string, string>> = {
  '^registered$': 'explain.ts fallback when a registered call has no "registered …" note left (timeline cut at 200 entries)',
  '^nobody yet$': 'explain.ts: registered without a registered user, which the planner never leaves',
};

let corpus: CollectedNote[] = [];

before(async () => {
  const { notes, states } = await collectNotes();
  corpus = [...notes];
  for (const { where, state } of states) {
    const e = explainCall(state);
    for (const [name, v] of Object.entries(e)) {
      assert.equal(v.reason, v.parts.join('; '), `${where}: ${name} reason is its parts joined`);
      for (const note of v.parts) corpus.push({ note, where: `${where}, verdict "${name}"` });
    }
  }
});

test('the corpus is big enough to mean something', () => {
  assert.ok(corpus.length > 1000, `${corpus.length} notes`);
  assert.ok(new Set(corpus.map((n) => n.note)).size > 100);
});

test('every note and verdict piece the flow produces has a Russian text', () => {
  const problems = new Map<string, string>();
  for (const { note, where } of corpus) {
    if (problems.has(note)) continue;
    const t = translateNoteRu(note);
    if (!t.rule) problems.set(note, `untranslated note ${JSON.stringify(note)} (from ${where}): add a rule for its format to ${TABLE}`);
    else if (!t.complete) problems.set(note, `note ${JSON.stringify(note)} (from ${where}) matches /${t.rule.re.source}/ but a piece inside has no Russian: add it to ${TERMS}`);
    else if (!t.rule.valuesOnly && (t.text === note || !/[а-яё]/i.test(t.text))) problems.set(note, `note ${JSON.stringify(note)} (from ${where}) comes out in English: fix its rule in ${TABLE}`);
  }
  assert.deepEqual([...problems.values()], []);
});

test('the values inside a note (numbers, ids, codes) are kept', () => {
  const lost: string[] = [];
  for (const note of new Set(corpus.map((n) => n.note))) {
    const ru = translateNoteRu(note).text;
    // The product name is the only word with a digit that has a Russian spelling (Битрикс24).
    const values = (note.match(/[\w.+-]*\d[\w.+-]*/g) ?? []).filter((v) => v !== 'Bitrix24');
    for (const v of values) if (!ru.includes(v)) lost.push(`${JSON.stringify(note)} → ${JSON.stringify(ru)}: ${v} lost`);
  }
  assert.deepEqual(lost, []);
});

test('no dead rule: each rule of the table translates at least one real note', () => {
  const used = new Set<NoteRule>();
  for (const { note } of corpus) {
    const r = translateNoteRu(note).rule;
    if (r) used.add(r);
  }
  const dead = NOTE_RULES.filter((r) => !used.has(r) && !(r.re.source in UNREACHED)).map((r) => `/${r.re.source}/ (${r.source}) matches no note the flow produces: remove it or make the corpus reach it`);
  assert.deepEqual(dead, []);
  for (const src of Object.keys(UNREACHED)) assert.ok(NOTE_RULES.some((r) => r.re.source === src), `UNREACHED lists /${src}/, which is no rule any more`);
});

test('English stays exactly as written', () => {
  const en = noteTextFor('en');
  for (const { note } of corpus.slice(0, 500)) assert.equal(en(note), note);
});
