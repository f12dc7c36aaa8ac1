// 13. customize_show_call_card — show the card to the client's responsible manager when the call
// is not yet answered, and to whoever answered afterwards.
export default function customizeShowCallCard(input) {
  const responsible = input.call_full.bitrix24?.responsible_id;
  if (input.call_stage === 'conversation_requested' && responsible) return { data: { USER_ID: responsible }, state: 'success' };
  return { data: {}, state: 'success' };
}
