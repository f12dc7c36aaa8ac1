// 11. customize_autodistribution — show the client's name on the manager's phone instead of the
// manager's own; Asterisk limits the CallerID name to 20 characters, so cut it.
// from, user, entity and error are read-only: returning them changes nothing.
export default function customizeAutodistribution(input) {
  if (!input.entity?.name) return { data: {}, state: 'success' };
  const chars = [...`CRM: ${input.entity.name}`];
  const name = chars.length > 20 ? `${chars.slice(0, 19).join('')}…` : chars.join('');
  return { data: { name }, state: 'success' };
}
