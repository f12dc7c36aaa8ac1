// 8. process_registration_params — set the lead source by the number the client called, and do
// not create leads for calls on the support line. SHOW always stays 0 whatever is returned.
const SOURCE_BY_LINE = { '74951234567': 'ADVERTISING', '74957654321': 'WEB' };
const SUPPORT_LINE = '74950001122';

export default function processRegistrationParams(input) {
  const data = {};
  const source = SOURCE_BY_LINE[input.LINE_NUMBER];
  if (source) data.CRM_SOURCE = source;
  if (input.LINE_NUMBER === SUPPORT_LINE) data.CRM_CREATE = 0;
  return { data, state: 'success' };
}
