// 1. customize_activity — at the end of the call, rename the CRM activity so the list of
// activities shows who answered and how long the call took.
export default function customizeActivity(input) {
  const call = input.call_full;
  const answered = call.conversations.find((c) => c.accepted_at !== null);
  const seconds = call.answered_at && call.ended_at ? Math.round((Date.parse(call.ended_at) - Date.parse(call.answered_at)) / 1000) : 0;
  const subject = answered
    ? `${input.activity.name} — ext. ${answered.extension}, ${seconds} s`
    : `${input.activity.name} — not answered`;
  return { data: { SUBJECT: subject }, state: 'success' };
}
