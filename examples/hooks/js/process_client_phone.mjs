// 4. process_client_phone — Russian numbers in one format for the CRM: 8XXXXXXXXXX and
// 7XXXXXXXXXX become +7XXXXXXXXXX; anything else is left as it is.
export default function processClientPhone(input) {
  const digits = String(input.phone).replace(/\D/g, '');
  let phone = input.phone;
  if (digits.length === 11 && (digits[0] === '8' || digits[0] === '7')) phone = `+7${digits.slice(1)}`;
  return { data: { phone }, state: 'success' };
}
