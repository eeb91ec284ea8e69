/** Regions where Amazon SES (v2) takes API calls. */
export const SES_REGIONS: { id: string; name: string }[] = [
  { id: "us-east-1", name: "US East (N. Virginia)" },
  { id: "us-east-2", name: "US East (Ohio)" },
  { id: "us-west-1", name: "US West (N. California)" },
  { id: "us-west-2", name: "US West (Oregon)" },
  { id: "ca-central-1", name: "Canada (Central)" },
  { id: "sa-east-1", name: "South America (São Paulo)" },
  { id: "eu-west-1", name: "Europe (Ireland)" },
  { id: "eu-west-2", name: "Europe (London)" },
  { id: "eu-west-3", name: "Europe (Paris)" },
  { id: "eu-central-1", name: "Europe (Frankfurt)" },
  { id: "eu-central-2", name: "Europe (Zurich)" },
  { id: "eu-north-1", name: "Europe (Stockholm)" },
  { id: "eu-south-1", name: "Europe (Milan)" },
  { id: "ap-south-1", name: "Asia Pacific (Mumbai)" },
  { id: "ap-south-2", name: "Asia Pacific (Hyderabad)" },
  { id: "ap-northeast-1", name: "Asia Pacific (Tokyo)" },
  { id: "ap-northeast-2", name: "Asia Pacific (Seoul)" },
  { id: "ap-northeast-3", name: "Asia Pacific (Osaka)" },
  { id: "ap-southeast-1", name: "Asia Pacific (Singapore)" },
  { id: "ap-southeast-2", name: "Asia Pacific (Sydney)" },
  { id: "ap-southeast-3", name: "Asia Pacific (Jakarta)" },
  { id: "ap-southeast-5", name: "Asia Pacific (Malaysia)" },
  { id: "me-south-1", name: "Middle East (Bahrain)" },
  { id: "me-central-1", name: "Middle East (UAE)" },
  { id: "il-central-1", name: "Israel (Tel Aviv)" },
  { id: "af-south-1", name: "Africa (Cape Town)" },
  { id: "us-gov-west-1", name: "AWS GovCloud (US-West)" },
  { id: "us-gov-east-1", name: "AWS GovCloud (US-East)" },
];

export function isSesRegion(region: string): boolean {
  return SES_REGIONS.some((r) => r.id === region);
}
