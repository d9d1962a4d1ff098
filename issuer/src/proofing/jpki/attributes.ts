import { AsnConvert } from '@peculiar/asn1-schema';
import { DirectoryString, GeneralName, OtherName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { ShomeiError } from '@shomei/shared';
import { x509 } from './x509.js';

/**
 * The four basic attributes (基本4情報) of a JPKI signing certificate (署名用電子証明書) travel
 * in its subjectAltName as otherName entries with these type ids (J-LIS arc 1.2.392.200149.8.5.5).
 */
export const JPKI_OIDS = {
  name: '1.2.392.200149.8.5.5.1',
  gender: '1.2.392.200149.8.5.5.3',
  birthdate: '1.2.392.200149.8.5.5.4',
  address: '1.2.392.200149.8.5.5.5',
} as const;

const SAN_OID = '2.5.29.17';

/** The attributes as the certificate states them. */
export interface JpkiAttributes {
  /** 氏名, family and given name separated by one space (ASCII or full-width). */
  name: string;
  /** 性別: `1` male, `2` female, `3` other / not stated. */
  gender: '1' | '2' | '3';
  /** 生年月日, `YYYYMMDD` (Gregorian). */
  birthdate: string;
  /** 住所, one string: prefecture, municipality, then the rest (東京都千代田区千代田1-1). */
  address: string;
}

/** The subjectAltName extension carrying the attributes (for the test CA). */
export function jpkiAttributesExtension(attrs: JpkiAttributes): x509.Extension {
  const entry = (oid: string, value: string) =>
    new GeneralName({ otherName: new OtherName({ typeId: oid, value: AsnConvert.serialize(new DirectoryString({ utf8String: value })) }) });
  const san = new SubjectAlternativeName([
    entry(JPKI_OIDS.name, attrs.name),
    entry(JPKI_OIDS.gender, attrs.gender),
    entry(JPKI_OIDS.birthdate, attrs.birthdate),
    entry(JPKI_OIDS.address, attrs.address),
  ]);
  return new x509.Extension(SAN_OID, false, AsnConvert.serialize(san));
}

/** Reads the four attributes out of a certificate's subjectAltName. */
export function readJpkiAttributes(cert: x509.X509Certificate): JpkiAttributes {
  const ext = cert.extensions.find((e) => e.type === SAN_OID);
  if (!ext) throw new ShomeiError('certificate_invalid', 'the certificate carries no subjectAltName with the basic attributes');
  const found: Record<string, string> = {};
  try {
    for (const name of AsnConvert.parse(ext.value, SubjectAlternativeName)) {
      if (!name.otherName) continue;
      const ds = AsnConvert.parse(name.otherName.value, DirectoryString);
      const text = ds.utf8String ?? ds.printableString ?? ds.bmpString ?? ds.universalString;
      if (text !== undefined) found[name.otherName.typeId] = text;
    }
  } catch (cause) {
    throw new ShomeiError('certificate_invalid', 'the subjectAltName of the certificate cannot be read', { cause });
  }
  const get = (oid: string, what: string) => {
    const v = found[oid];
    if (!v) throw new ShomeiError('certificate_invalid', `the certificate does not state the ${what}`);
    return v;
  };
  const gender = get(JPKI_OIDS.gender, 'gender');
  if (gender !== '1' && gender !== '2' && gender !== '3') throw new ShomeiError('certificate_invalid', 'the gender code is not 1, 2 or 3');
  const birthdate = get(JPKI_OIDS.birthdate, 'birthdate');
  if (!/^\d{8}$/.test(birthdate)) throw new ShomeiError('certificate_invalid', 'the birthdate is not YYYYMMDD');
  return { name: get(JPKI_OIDS.name, 'name'), gender, birthdate, address: get(JPKI_OIDS.address, 'address') };
}

const PREFECTURE = /^(東京都|北海道|京都府|大阪府|[^\s都道府県]{2,3}県)/u;
/** Municipality: a city (with an optional ward of a designated city), a ward of Tokyo, or a town or village in a district. */
const MUNICIPALITY = /^((?:[^\s市]{1,6}市[^\s区]{1,5}区)|(?:[^\s郡]{1,5}郡[^\s町村]{1,5}[町村])|(?:[^\s市区町村]{1,6}[市区町村]))/u;

/** The credential's view of the attributes (kana and postal code are not in a JPKI certificate). */
export interface MappedAttributes {
  family_name: string;
  given_name: string;
  birthdate: string;
  gender: 'male' | 'female' | 'other';
  address: { region: string; locality: string; street_address: string };
}

export function mapJpkiAttributes(attrs: JpkiAttributes): MappedAttributes {
  const parts = attrs.name.trim().split(/[ \u3000]+/u);
  if (parts.length !== 2) throw new ShomeiError('certificate_invalid', 'the name does not split into a family and a given name');
  const b = attrs.birthdate;
  const address = attrs.address.trim();
  const region = PREFECTURE.exec(address)?.[1];
  if (!region) throw new ShomeiError('certificate_invalid', 'the address does not start with a prefecture');
  const rest = address.slice(region.length);
  const locality = MUNICIPALITY.exec(rest)?.[1];
  if (!locality) throw new ShomeiError('certificate_invalid', 'the address does not name a municipality');
  const street = rest.slice(locality.length).trim();
  if (!street) throw new ShomeiError('certificate_invalid', 'the address has no street part');
  return {
    family_name: parts[0] as string,
    given_name: parts[1] as string,
    birthdate: `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`,
    gender: ({ '1': 'male', '2': 'female', '3': 'other' } as const)[attrs.gender],
    address: { region, locality, street_address: street },
  };
}
