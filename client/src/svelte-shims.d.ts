// Lets `tsc` resolve `.svelte` imports; the components themselves are checked by the
// Svelte compiler at build time (svelte-check is not installed).
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}
