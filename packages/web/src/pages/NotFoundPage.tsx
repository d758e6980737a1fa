import { Link } from '../router/navigation.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <h1>No such page</h1>
      <p>
        Nothing is at <code>{path}</code>. Go to the <Link href="/">fleet</Link>.
      </p>
    </>
  );
}
