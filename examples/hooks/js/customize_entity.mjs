// 2. customize_entity — note on the lead/contact which of our numbers (DID) the client called.
export default function customizeEntity(input) {
  const call = input.call_full;
  if (call.direction !== 'incoming' || !call.did) return { data: {}, state: 'success' };
  return { data: { SOURCE_DESCRIPTION: `Called ${call.did}` }, state: 'success' };
}
