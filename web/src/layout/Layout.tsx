import type { ComponentChildren } from 'preact';
import { Header } from './Header';

/** Every signed-in page: the header, then the page's own main. */
export function Layout({ children }: { children: ComponentChildren }) {
  return (
    <div class="layout">
      <Header />
      <main id="main" class="layout-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
