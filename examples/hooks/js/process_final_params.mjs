// 5. process_final_params — do not post very short calls to the business chat.
// CALL_ID cannot be changed (the connector drops it from the reply), so it is not returned.
export default function processFinalParams(input) {
  return { data: { ADD_TO_CHAT: input.DURATION < 10 ? 0 : input.ADD_TO_CHAT }, state: 'success' };
}
