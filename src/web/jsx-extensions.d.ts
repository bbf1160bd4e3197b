// Attributes the renderer's JSX types lack.
declare namespace JSX {
  interface HtmlImageTag {
    sizes?: undefined | string;
  }
}
