// 10. process_user_phone — the office's phones register as 2101, 2102 …, while Bitrix24 users
// have the short extensions 101, 102 …: drop the leading 2 of four-digit numbers.
export default function processUserPhone(input) {
  const phone = /^2\d{3}$/.test(input.phone) ? input.phone.slice(1) : input.phone;
  return { data: { phone }, state: 'success' };
}
