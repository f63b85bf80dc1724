/** The benchmark bot's document: 40 short FAQ sections (Markdown). */
const TOPICS = [
  "Refunds are paid within five working days of the returned parcel reaching the warehouse.",
  "Orders placed before noon ship the same day from the Lyon warehouse, Monday to Friday.",
  "Gift cards never expire and can be combined with any discount code at checkout.",
  "Customers can change a delivery address until the parcel has been handed to the carrier.",
  "The loyalty programme gives one point per euro spent; one hundred points are worth five euros.",
  "Damaged items are replaced free of charge when reported with a photo within fourteen days.",
];

/** The FAQ as one Markdown document. */
export function corpus(): string {
  const sections: string[] = [];
  for (let i = 0; i < 40; i++) {
    sections.push(`# Topic ${i}\n\n${TOPICS[i % TOPICS.length]} Section ${i} adds detail number ${i * 7}.`);
  }
  return sections.join("\n\n");
}
