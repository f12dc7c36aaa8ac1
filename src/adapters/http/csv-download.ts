/** A CSV export streamed to the browser as a download (`calls.csv`, `audit.csv`), one page at a time. */
export function csvDownload(rows: AsyncIterator<string>, name: string, now: number): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}-${new Date(now).toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
