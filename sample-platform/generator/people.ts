import { Faker, en } from '@faker-js/faker';
import type { ContactRow } from './snapshot-writer.js';
import type { SeededRandom } from './random.js';

/**
 * Synthetic people from a seeded Faker. E-mail domains are made-up names under the reserved
 * example.com/.net/.org domains, so no address belongs to a real mail provider or company.
 */
export class PeopleFaker {
  private readonly faker: Faker;
  private secondaryContacts = 0;

  constructor(
    seed: number,
    private readonly random: SeededRandom,
  ) {
    this.faker = new Faker({ locale: [en] });
    this.faker.seed(seed);
  }

  contact(isPrimary: boolean): ContactRow {
    const firstName = this.faker.person.firstName();
    const lastName = this.faker.person.lastName();
    return {
      isPrimary,
      firstName,
      lastName,
      email: this.email(firstName, lastName),
      phone: this.phoneStyled(isPrimary, this.faker.phone.number({ style: 'national' })),
      street: this.faker.location.streetAddress(),
      city: this.faker.location.city(),
      postcode: this.faker.location.zipCode('#####'),
      country: 'US',
    };
  }

  /**
   * Primary contacts' numbers as faker writes them (notes quote them); secondary contacts' in the
   * other styles real data holds (international, compact, no space after the area code), so the
   * sanitize proof meets them. Made from the same digits: no extra draw from the random streams,
   * so the rest of the sample stays as it was.
   */
  private phoneStyled(isPrimary: boolean, national: string): string {
    if (isPrimary) return national;
    const d = national.replace(/\D/g, '');
    const style = this.secondaryContacts++ % 4;
    if (style === 0) return `+44 20 ${d.slice(2, 6)} ${d.slice(6)}`;
    if (style === 1) return `+49 30 ${d.slice(2, 6)} ${d.slice(6)}`;
    if (style === 2) return `(${d.slice(0, 3)})${d.slice(3, 6)}-${d.slice(6)}`;
    return d;
  }

  email(firstName: string, lastName: string): string {
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const domain = `${this.faker.internet.domainWord()}.${this.random.pick(['example.com', 'example.net', 'example.org'])}`;
    return `${local}${this.random.int(1, 99)}@${domain}`;
  }

  companyName(): string {
    return this.faker.company.name();
  }

  /** A support agent's note; like real notes they repeat personal data the scrub has to catch. */
  note(contact: ContactRow): string {
    const templates = [
      `Customer asked to be called back on ${contact.phone} after 5pm.`,
      `Invoice copy requested to ${contact.email}; confirmed identity with date of birth.`,
      `Moved to ${contact.street}, ${contact.city}. Router shipped to new address.`,
      `Disputed last month's overage; credited once as goodwill. ${this.faker.lorem.sentence()}`,
      `Prefers contact by e-mail (${contact.email}). Do not call before 10am.`,
    ];
    return this.random.pick(templates);
  }

  staffName(): { first: string; last: string } {
    return { first: this.faker.person.firstName(), last: this.faker.person.lastName() };
  }
}
