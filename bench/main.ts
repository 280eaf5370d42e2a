// `npm run bench -- <name> [args]`: runs one benchmark program, which prints its figures.

const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  apiserver: () => import('./apiserver.ts'),
  controllers: () => import('./controllers.ts'),
  kubelet: () => import('./kubelet.ts'),
  scheduler: () => import('./scheduler.ts'),
  proxy: () => import('./proxy.ts'),
  'proxy-nftables': () => import('./proxy-nftables.ts'),
  store: () => import('./store.ts'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in benches)) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [args]`);
  process.exit(2);
}
await (await benches[name]()).run(args);
