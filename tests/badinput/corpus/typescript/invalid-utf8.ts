export function greet(name: string): string {
  return "Grüße, " + name;
}
