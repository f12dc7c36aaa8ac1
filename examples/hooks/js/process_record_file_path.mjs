// 7. process_record_file_path — recordings are archived on a NAS mount: send that copy.
// Fixed 10 s timeout: if this hook is slower, the original file is sent.
export default function processRecordFilePath(input) {
  const path = input.path.replace(/^\/var\/spool\/asterisk\/monitor\//, '/mnt/nas/records/');
  return { data: { path }, state: 'success' };
}
