"""The built-in skill taxonomy: canonical names and their aliases.

One skill a line: ``Canonical | alias | alias``. Every term matches on word
boundaries, case-insensitively, with spaces and hyphens interchangeable. A term
prefixed with ``=`` matches case-sensitively only (``=Spring`` is the framework,
"spring" the season); ``~`` marks a one-letter or common-word language name
(Go, C, R) that only counts in a programming context (``taxonomy._contextual``).
Kept as plain text so a reviewer can read and extend it without touching code.
"""

SKILLS = """
# Programming languages
Python | python3 | python 3
JavaScript | JS | ECMAScript | ES6 | ES2015 | vanilla JS
TypeScript | =TS
Java | Java 8 | Java 11 | Java 17 | Java 21 | JVM
Kotlin
Scala
~Go | Golang
Rust | Rust-lang
~C
C++ | cpp
C# | C sharp | csharp
=Ruby
PHP
=Swift
Objective-C | ObjC
=Dart
Elixir
Erlang
Haskell
Clojure
F#
=Perl
~R | RStudio
MATLAB
Julia Lang
Lua
Groovy
Visual Basic | VB.NET | VBA
COBOL
Fortran
=Assembly | assembly language | x86 assembly
Solidity
SQL | T-SQL | PL/SQL | TSQL | Structured Query Language
Bash | shell scripting | shell script | Bash scripting | zsh
PowerShell
HTML | HTML5
CSS | CSS3
Sass | SCSS
WebAssembly | WASM

# Frontend
React | React.js | ReactJS | React JS
React Native
Angular | AngularJS | Angular.js
Vue.js | Vue | VueJS | Vue 3 | Vue.js 3
Next.js | NextJS | Next JS
Nuxt | Nuxt.js | NuxtJS
Svelte | SvelteKit
Redux | Redux Toolkit
jQuery
Tailwind CSS | Tailwind | TailwindCSS
Bootstrap
Material UI | MUI
Webpack
=Vite
Storybook
Three.js
D3.js | D3
Web Components

# Backend and frameworks
Node.js | NodeJS | Node JS | =Node
Express.js | ExpressJS | Express JS | =Express
NestJS | Nest.js
Deno
Django | Django REST Framework | DRF
Flask
FastAPI
Spring Boot | SpringBoot
Spring Framework | Spring MVC | Spring Cloud | Spring Security
Hibernate
.NET | dotnet | .NET Core | .NET 6 | .NET 8
ASP.NET | ASP.NET Core
Entity Framework
Ruby on Rails | Rails | RoR
Laravel
Symfony
Phoenix Framework
Celery
RabbitMQ
Apache Kafka | Kafka
gRPC
GraphQL | Apollo GraphQL
REST APIs | =REST | RESTful | REST API | RESTful APIs | RESTful services
Microservices | micro-services | microservice architecture
Event-driven architecture | event driven
Distributed systems
System design
API design
WebSockets | WebSocket
OAuth | OAuth2 | OAuth 2.0 | OpenID Connect | OIDC

# Mobile and games
iOS
Android
SwiftUI
UIKit
Jetpack Compose
Flutter
Xamarin
Ionic
=Unity | Unity3D
Unreal Engine | =Unreal

# Data stores
PostgreSQL | Postgres | PostgresSQL | psql | Postgre SQL
MySQL
MariaDB
SQLite
Microsoft SQL Server | SQL Server | MSSQL | MS SQL
=Oracle | Oracle Database | Oracle DB
MongoDB | Mongo | MongoDB Atlas
Redis
Elasticsearch | Elastic Search | ELK | OpenSearch
Cassandra | Apache Cassandra
DynamoDB | Amazon DynamoDB | AWS DynamoDB
Firebase | Firestore
Supabase
Neo4j
ClickHouse
CockroachDB
Memcached

# Data, analytics and ML
Apache Spark | =Spark | PySpark | Spark Streaming
Hadoop | Apache Hadoop
Apache Airflow | Airflow
dbt | data build tool | dbt Core | dbt Cloud
=Snowflake
BigQuery | Google BigQuery | Big Query
Amazon Redshift | Redshift
Databricks | Azure Databricks
Apache Flink | Flink
pandas
NumPy
SciPy
scikit-learn | sklearn | scikit learn | scikitlearn
TensorFlow | Tensor Flow
PyTorch
Keras
Hugging Face | HuggingFace | transformers library
XGBoost
LightGBM
Jupyter | Jupyter Notebook
MLflow
MLOps
Machine learning | =ML | maschinelles Lernen | apprentissage automatique
Deep learning
Natural language processing | NLP
Computer vision
LLMs | LLM | large language models | large language model | GenAI | generative AI
Prompt engineering
=RAG | retrieval-augmented generation | retrieval augmented generation
LangChain
Reinforcement learning
Statistics | statistical analysis | statistical modelling | statistical modeling | Statistik | statistiques
A/B testing | AB testing | split testing | experimentation
Data analysis | data analytics | Datenanalyse | analyse de données
Data visualization | data visualisation | dataviz
Data modeling | data modelling
Data warehousing | data warehouse
Data pipelines | data pipeline
ETL | ELT
Tableau
Power BI | PowerBI | Microsoft Power BI | MS Power BI
Looker | Looker Studio | Google Data Studio
Metabase
=SAS
SPSS
Stata
=Excel | Microsoft Excel | MS Excel | advanced Excel
Google Sheets

# Cloud and infrastructure
AWS | Amazon Web Services
Azure | Microsoft Azure
Google Cloud | GCP | Google Cloud Platform
AWS Lambda | =Lambda
Amazon S3 | S3
Amazon EC2 | EC2
Amazon ECS | ECS | Fargate
Amazon EKS | EKS
Azure DevOps
Cloudflare
Heroku
Vercel
Netlify
DigitalOcean
Serverless
Docker | containerization | containerisation
Kubernetes | k8s | K8S
OpenShift
=Helm
Terraform | HashiCorp Terraform
Pulumi
Ansible
=Chef
=Puppet
CloudFormation
Infrastructure as code | IaC
CI/CD | CI / CD | CI-CD | CICD | continuous integration | continuous delivery | continuous deployment
Jenkins
GitHub Actions
GitLab CI | GitLab CI/CD | GitLab
CircleCI
Argo CD | ArgoCD
Git | GitHub | version control
Linux | Unix | Ubuntu | Debian | RHEL
Nginx
Apache HTTP Server
Prometheus
Grafana
Datadog
New Relic
Splunk
OpenTelemetry
Sentry
Observability
Site reliability engineering | SRE
DevOps
Computer networking | network engineering | TCP/IP | DNS
Load balancing
Service mesh | Istio | Linkerd
Incident management | incident response | on-call

# Security
Cybersecurity | cyber security | information security | InfoSec
Penetration testing | pen testing | pentesting
OWASP
IAM | identity and access management
SIEM
ISO 27001
SOC 2 | SOC2
GDPR | DSGVO | RGPD
Cryptography | encryption
Zero trust

# Testing and quality
Unit testing | unit tests
Test automation | automated testing | automation testing
TDD | test-driven development | test driven development
BDD | behaviour-driven development | behavior-driven development
=Jest
Cypress
=Playwright
Selenium
pytest
JUnit
=Mocha
Postman
JMeter
QA | quality assurance
Manual testing
Performance testing | load testing
Code review | code reviews

# Design
Figma
=Sketch
Adobe XD
Adobe Photoshop | Photoshop
Adobe Illustrator | Illustrator
Adobe InDesign | InDesign
Adobe After Effects | After Effects
Adobe Premiere Pro | Premiere Pro
Adobe Creative Suite | Adobe Creative Cloud | Creative Cloud
Canva
InVision
Miro
UX design | user experience design | =UX | UX/UI | UI/UX
UI design | user interface design | interface design | =UI
Product design
Interaction design
Visual design
Graphic design | Grafikdesign
Motion design
User research | UX research
Usability testing
Wireframing | wireframes
Prototyping | prototypes
Design systems | design system
Information architecture
Accessibility | WCAG | a11y
Typography
Branding

# Product and project
Product management | Produktmanagement
Product strategy
Product discovery
Roadmapping | roadmaps | product roadmap
User stories
OKRs | OKR
Agile | agile methodologies | agile methods
Scrum | Scrum Master
Kanban
=Lean | lean management | lean methodology
Project management | Projektmanagement | gestion de projet
Program management
PRINCE2
PMP
Stakeholder management | stakeholder communication
Requirements gathering | requirements analysis
Business analysis
Process improvement
Six Sigma
Change management
Risk management
Vendor management
Budgeting | budget management
Forecasting
Financial modelling | financial modeling
Financial analysis
Accounting | Buchhaltung | comptabilité
Bookkeeping
IFRS
US GAAP | GAAP
Payroll

# Business tools
Jira | JIRA Software
Confluence
=Notion
Trello
Asana
Monday.com
=Slack
Microsoft Teams | MS Teams
Microsoft Office | MS Office | Office 365 | Microsoft 365
Microsoft Word | MS Word
PowerPoint | MS PowerPoint
Google Workspace | G Suite
Salesforce | SFDC
HubSpot
Zendesk
Intercom
Freshdesk
SAP | SAP S/4HANA | S/4HANA
Oracle NetSuite | NetSuite
=Workday
QuickBooks
Xero
DATEV
Zapier
Airtable
Mixpanel
=Amplitude
Google Analytics | GA4
Google Tag Manager
Google Ads | AdWords
Meta Ads | Facebook Ads
LinkedIn Ads
Mailchimp
CRM | CRM systems
ERP | ERP systems

# Marketing and sales
SEO | search engine optimisation | search engine optimization
SEM | search engine marketing | PPC
Content marketing
Copywriting
Social media marketing | social media management
Email marketing
Performance marketing
Growth marketing | growth hacking
Digital marketing | Online-Marketing | online marketing
Marketing automation
Brand management
Market research
Public relations
B2B sales
B2C
Account management | key account management
Business development
Lead generation
Customer success
Customer service | customer support | Kundenservice | service client
Negotiation | negotiation skills | Verhandlungsgeschick | négociation

# Soft skills
Communication | communication skills | excellent communication | Kommunikationsfähigkeit | Kommunikationsstärke | communicative
Teamwork | team player | Teamfähigkeit | esprit d'équipe | travail en équipe
Collaboration | cross-functional collaboration
=Leadership | team leadership | people leadership | technical leadership | leadership skills | leadership experience | strong leadership | proven leadership | Führungserfahrung | Führungskompetenz
Mentoring | mentorship | coaching
Problem solving | problem-solving | problem solver | Problemlösung | résolution de problèmes
Critical thinking
Analytical skills | analytical thinking | analytisches Denken | esprit d'analyse | esprit analytique
Attention to detail | detail-oriented | detail oriented | eye for detail | sens du détail
Time management
Adaptability | adaptable
Creativity | creative thinking
Presentation skills | public speaking
Self-motivated | self-starter | proactive
Customer focus | customer-centric | customer centricity
Decision making | decision-making
Conflict resolution
Emotional intelligence
Written communication | written skills
Technical writing | technical documentation
Organisational skills | organizational skills | organisational skills | Organisationstalent
"""
