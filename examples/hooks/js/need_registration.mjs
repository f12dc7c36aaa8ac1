// 3. need_registration — a black list by client number and a trunk that is never registered.
const BLACK_LIST = new Set(['+74950000000', '+79990000000']);
const IGNORED_TRUNKS = new Set(['fax-line']);

export default function needRegistration(input) {
  const call = input.call_full;
  const result = !BLACK_LIST.has(call.client_number) && !IGNORED_TRUNKS.has(call.trunk);
  return { data: { result }, state: 'success' };
}
