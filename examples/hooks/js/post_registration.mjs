// 12. post_registration — a side action after the call is registered; only `state` is read.
// Here it just writes a line (console output is captured and shown in the connector's log).
export default function postRegistration(input) {
  console.error(`registered ${input.call_full.bitrix24.call_id} at ${input.call_stage}`);
  return { state: 'success' };
}
