// 6. process_originate_params — click-to-call: dial mobile numbers through a second trunk's
// context and with the 9 prefix the dialplan expects there.
export default function processOriginateParams(input) {
  const digits = String(input.Exten ?? '').replace(/\D/g, '');
  if (!/^[78]9\d{9}$/.test(digits)) return { data: {}, state: 'success' };
  return {
    data: { Context: 'to-mobile-trunk', Exten: `9${digits.slice(1)}`, Variable: { ...input.Variable, ROUTE: 'mobile' } },
    state: 'success',
  };
}
