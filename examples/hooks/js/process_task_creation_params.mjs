// 9. process_task_creation_params — a clearer title and a high priority for missed calls;
// the reply carries `fields`, merged over the fields the settings produced.
export default function processTaskCreationParams(input) {
  const client = input.call_full.client_number ?? 'unknown number';
  return { data: { fields: { TITLE: `Call back ${client}`, PRIORITY: 2 } }, state: 'success' };
}
