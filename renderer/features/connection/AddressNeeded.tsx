/**
 * What the browser host shows when its WebSocket refused this page (no token in the address, or
 * the token of an earlier run): nothing of the app, which could not do anything, only how to get the
 * address that works. The host prints it when it starts.
 */
export function AddressNeeded({ hadToken }: { hadToken: boolean }) {
  const origin = window.location.origin;
  return (
    <main className="address-needed" data-testid="address-needed">
      <div className="banner error" role="alert">
        <div>
          <strong>{hadToken ? 'This address is from an earlier run of Stowage.' : 'This address has no access token.'}</strong>
          <p>
            The browser host only answers the exact address it printed when it started, which carries a one-time token:
          </p>
          <pre>{`${origin}/#token=…`}</pre>
          <p>
            Find it in the terminal where you ran <code>npm start</code> (the line after “Stowage is running in your browser host at:”, or
            the one starting with <code>STOWAGE_URL=</code>) and open it here. If Stowage is no longer running, start it again; every run
            prints a new address.
          </p>
        </div>
      </div>
    </main>
  );
}
