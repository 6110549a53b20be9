/**
 * What a filtered list shows when the filter hides every row: an empty table reads as "no data",
 * so this says that the filter did it, with what was typed and a way back.
 */
export function NoMatches({ what, filter, onClear }: { what: string; filter: string; onClear: () => void }) {
  const typed = filter.trim();
  return (
    <div className="empty-state no-matches" role="status" data-testid="no-matches">
      <span>No {what} {typed ? <>matches “<code>{typed}</code>”</> : 'matches these filters'}.</span>
      <button type="button" className="ghost link" onClick={onClear}>Clear the filter</button>
    </div>
  );
}
