/**
 * A seeded image whose config carries what `docker image inspect` shows (entrypoint, cmd, env,
 * ports, working dir, user, labels) and a Dockerfile-like history where metadata steps made no
 * layer, so the tag details can be checked against known facts.
 */
export const RICH_IMAGE = {
  layers: 3,
  labels: { 'org.opencontainers.image.source': 'https://example.test/shop', 'werf-image-name': 'backend' },
  runtime: {
    Entrypoint: ['/usr/bin/tini', '--'],
    Cmd: ['/app/server', '--port=8080'],
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'APP_MODE=production'],
    ExposedPorts: { '8080/tcp': {}, '9090/tcp': {} },
    WorkingDir: '/app',
    User: '10001:10001',
  },
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:rootfs in / ' },
    { created_by: '/bin/sh -c #(nop)  ENV APP_MODE=production', empty_layer: true },
    { created_by: 'COPY server /app/server # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'EXPOSE map[8080/tcp:{} 9090/tcp:{}]', empty_layer: true },
    { created_by: 'RUN /bin/sh -c adduser -D app # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'CMD ["/app/server" "--port=8080"]', empty_layer: true },
  ],
};
