/** Stylesheets are bundled by the build. */
declare module '*.css';

/** A file the build copies into assets/, imported as its URL. */
declare module '*?url' {
  const url: string;
  export default url;
}
