"""The district policy passages the rules rest on, quoted word for word.

The policies themselves live in shared/policies/ (see the README's "Policies"
section); the quotes are kept here because a user's install does not have them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Passage:
    file: str
    district: str
    heading: str
    quote: str

    @property
    def ref(self) -> str:
        """What JSON carries: `file: heading`."""
        return f"{self.file}: {self.heading}"


PPS, PSESD, GENERIC, SPPS, TACOMA = (
    "000_ebc6a4dd3a988637.txt", "001_1127251f32592e6d.txt", "002_4afcc5e61af3c2df.txt",
    "003_64af0274f320a695.txt", "004_d46a769eba9133b8.txt",
)

TACOMA_NAMES_LOCATION = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Student Records and Ethics",
    quote="Personal student information, including names and current location, should not be "
    "posted on social media without informed consent from student\u2019s parent/guardian. This "
    "includes, but not limited to, blogs, student work, individual or group photographs, "
    "videos featuring the student or other identifying information.",
)
TACOMA_SCHEDULE = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Student Records and Ethics",
    quote="For the safety of our students, detailed information (where students are to be at a "
    "particular time/location) about school field trips, sports, extracurricular activities or "
    "events should not be posted prior to the event. However, information about events that "
    "are open to parents and the public can be posted prior to the event.",
)
TACOMA_CUSTODY = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Student Records and Ethics",
    quote="Particular care must be taken on social media for students who have been identified "
    "with custody and safety concerns.",
)
TACOMA_CONFIDENTIAL = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Student Records and Ethics",
    quote="It is particularly important that employees who are using social media accounts be "
    "mindful of the District\u2019s Student Records Policy and Regulation, Policy 3231, and "
    "Regulation 3231R, and not share otherwise confidential student information on social "
    "media absent of obtaining advanced written consent from a parent/guardian or adult "
    "student.",
)
TACOMA_RESTRICTED = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Student Work and Photos of Students",
    quote="For those students with signed forms on file in the school\u2019s office, District "
    "staff is not allowed to post such students\u2019 names, photos, videos or work on any "
    "social media accounts (personal or District).",
)
TACOMA_PRIVATE_MESSAGES = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Maintaining Professional Boundaries",
    quote="Do not send private messages and/or direct message to students on any social media "
    "platform or by text. If you need to communicate with a student directly, you must use the "
    "District\u2019s email system and only where the parent or guardian has consented to such "
    "communications and receives a copy of the communication.",
)
TACOMA_SNAPCHAT = Passage(
    file=TACOMA, district="Tacoma Public Schools, Regulation 6973.1R",
    heading="Authorization (footnote 2)",
    quote="The District does not allow for Snap Chat accounts to be created in the name of a "
    "District school, sports team, department, program or club [...] Further, the District "
    "would not allow accounts to be created in the name of a District school, sports team, "
    "department, program or club on anonymous social media sites like Yik Yak, Secret, and "
    "Whisper",
)
PPS_EPHEMERAL = Passage(
    file=PPS, district="Portland Public Schools, Administrative Directive 8.60.044-AD",
    heading="I. Social Media",
    quote="Staff shall not communicate with students or staff, for any reason, through use of a "
    "medium that is designed to eliminate all traces or records of the communication (e.g., "
    "Snapchat).",
)
PPS_PRIVATE_MESSAGES = Passage(
    file=PPS, district="Portland Public Schools, Administrative Directive 8.60.044-AD",
    heading="I. Social Media",
    quote="All professional communications must be through PPS provided email or "
    "District-approved platforms using the staff PPS account, as described in the District's "
    "Acceptable Use Policy (8.60.40-P). Staff may only communicate with current students or "
    "their families through social media direct or private messaging tools with prior "
    "District approval and parent notification.",
)
PPS_FERPA = Passage(
    file=PPS, district="Portland Public Schools, Administrative Directive 8.60.044-AD",
    heading="II. Professional Social Media Use",
    quote="Refrain from posting content that involves the following: Confidential information "
    "or information that violates the Family Educational Rights and Privacy Act (FERPA) or "
    "other privacy laws,",
)
PPS_CONSENT = Passage(
    file=PPS, district="Portland Public Schools, Administrative Directive 8.60.044-AD",
    heading="II. Professional Social Media Use",
    quote="Prior to posting photos, student work, etc., verify proper consent has been provided "
    "on the student registration or verification form.",
)
SPPS_FIRST_NAME = Passage(
    file=SPPS, district="Saint Paul Public Schools, Social Media Best Practices for Staff",
    heading="Pictures and Media Permission Forms",
    quote="A best practice for using students names on social media is to use their first name "
    "only in the description of the photo.",
)
SPPS_PRIVATE_DATA = Passage(
    file=SPPS, district="Saint Paul Public Schools, Social Media Best Practices for Staff",
    heading="Pictures and Media Permission Forms",
    quote="Be sure to keep student data private, whether it be names, locations or pictures. "
    "Check with your office before putting any photos of students to be sure there is a media "
    "release form for every student pictured.",
)
SPPS_DISTRICT_CONTACT = Passage(
    file=SPPS, district="Saint Paul Public Schools, Social Media Best Practices for Staff",
    heading="Social Media for Schools and Departments",
    quote="Use district contact information (email, address, phone, etc.) for creating and "
    "maintaining SPPS accounts.",
)
GENERIC_PII = Passage(
    file=GENERIC, district="a school district, Personnel: Staff Use of Social Media",
    heading="Personal Social Media Use",
    quote="The posting or disclosure of personally identifiable student information or "
    "confidential information via personal social media sites, in violation of School "
    "District policy, is prohibited.",
)
PSESD_CONFIDENTIAL = Passage(
    file=PSESD, district="Puget Sound Educational Service District",
    heading="Directives for Staff Use of Social Media",
    quote="When a staff member utilizes social media, whether personal or within the context of "
    "their work with PSESD, he/she should not post confidential or proprietary information "
    "about the agency, its students, alumni, or fellow employees.",
)
