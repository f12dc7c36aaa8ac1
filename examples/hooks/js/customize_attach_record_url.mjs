// 14. customize_attach_record_url — a plain link instead of the audio player (some mail clients
// strip <audio>), and mark the activity completed.
export default function customizeAttachRecordUrl(input) {
  const url = /src="([^"]+)"/.exec(input.DESCRIPTION)?.[1];
  if (!url) return { data: {}, state: 'success' };
  return { data: { DESCRIPTION: `<a href="${url}">Call recording</a>`, COMPLETED: 'Y' }, state: 'success' };
}
